# The Python documentation, "Using a remote manager" (seeds/002_...txt
# keeps its text; the code is the documentation's): the first client puts
# 'hello' into the queue the server registered as get_queue.  Changed:
# address (('foo.bar.org', 50000)) and key (b'abracadabra'); and the
# interactive session is a script.
from multiprocessing.managers import BaseManager
from seedenv import ADDR, KEY
class QueueManager(BaseManager): pass
QueueManager.register('get_queue')
m = QueueManager(address=ADDR, authkey=KEY)
m.connect()
queue = m.get_queue()
queue.put('hello')
