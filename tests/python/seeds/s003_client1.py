# seeds/003_0a56e00283ec2ddb.txt, "Using a remote manager": one client
# puts into the shared queue the server made with typeid 'get_proxy'.
# Changed: address and key (('foo.bar.org', 50000), 'none'); processing's
# CreatorMethod(typeid='get_proxy') is register('get_proxy') in
# multiprocessing; the session is a script.
from multiprocessing.managers import BaseManager
from seedenv import ADDR, KEY
class QueueManager(BaseManager):
    pass
QueueManager.register('get_proxy')
m = QueueManager(address=ADDR, authkey=KEY)
m.connect()
queue = m.get_proxy()
queue.put('hello')
