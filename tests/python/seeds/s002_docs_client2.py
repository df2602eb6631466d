# The Python documentation, "Using a remote manager": another client takes
# what the first put; the session's `>>> queue.get()` echoes 'hello'.
# Changed: address and key; the session is a script that prints what the
# session echoed.
from multiprocessing.managers import BaseManager
from seedenv import ADDR, KEY
class QueueManager(BaseManager): pass
QueueManager.register('get_queue')
m = QueueManager(address=ADDR, authkey=KEY)
m.connect()
queue = m.get_queue()
print(repr(queue.get()))
