# seeds/000_fe1c47efbe891b79.txt, client01.py: puts into the queue that
# server.py serves (here the manager at ADDR: CPython's server registers
# get_queue as server.py does, mgrd has a queue named get_queue).
# Changed: address and key.
from multiprocessing.managers import BaseManager
from seedenv import ADDR, KEY


class QueueManager(BaseManager):
    pass


QueueManager.register('get_queue')

manager = QueueManager(
    address=ADDR,
    authkey=KEY)

manager.connect()
queue = manager.get_queue()
queue.put('hello')
