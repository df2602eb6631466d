# seeds/003_0a56e00283ec2ddb.txt, "Namespace objects" (the processing
# package, multiprocessing's ancestor): attributes of a shared Namespace,
# and one beginning with '_' that stays in the proxy.  Changed: address
# and key (processing.Manager() started its own); `print Global` is
# Python 2, print(Global) here.
from multiprocessing.managers import SyncManager
from seedenv import ADDR, KEY

manager = SyncManager(address=ADDR, authkey=KEY)
manager.connect()
Global = manager.Namespace()
Global.x = 10
Global.y = 'hello'
Global._z = 12.3    # this is an attribute of the proxy
print(Global)
