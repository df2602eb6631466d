# seeds/000_fe1c47efbe891b79.txt, client02.py: takes what client01.py put.
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
print(queue.get())
