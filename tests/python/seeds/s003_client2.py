# seeds/003_0a56e00283ec2ddb.txt, "Using a remote manager": another client
# gets it (the session echoes 'hello').  Changed as s003_client1.py.
from multiprocessing.managers import BaseManager
from seedenv import ADDR, KEY
class QueueManager(BaseManager):
    pass
QueueManager.register('get_proxy')
m = QueueManager(address=ADDR, authkey=KEY)
m.connect()
queue = m.get_proxy()
print(repr(queue.get()))
