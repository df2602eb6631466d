# seeds/001_7366e3be2ac4fffe.txt, 实例1: a process watches a shared dict
# and prints it each time an Event is set.  Changed: the manager is the one
# at ADDR with KEY (connect() instead of multiprocessing.Manager()); the
# two sleeps are 1 s instead of 3; and the last line, m.shutdown(), is
# gone: a connected manager has no shutdown() (SPEC §3.7.3).
#使用管理器创建一个在进程间共享的字典

import multiprocessing
import time
from multiprocessing.managers import SyncManager
from seedenv import ADDR, KEY

def watch(dict,event):
    while True:
        event.wait()
        print(dict)
        event.clear()


if __name__=="__main__":
    #实例化一个管理器
    m=SyncManager(address=ADDR, authkey=KEY)
    m.connect()
    #在服务器上创建一个共享的字典，并返回可以调用它的代理
    dict=m.dict()
    #在服务器上创建一个共享的Event
    event=m.Event()

    #启动监视字典的进程
    p=multiprocessing.Process(target=watch,args=(dict,event,))
    #设置为后台进程，随主进程的销毁而销毁，该后台进程无法创建新的线程
    p.daemon=True
    p.start()

    #更新字典并通知监听者
    dict["name"]="mark"
    event.set()
    time.sleep(1)

    # 更新字典并通知监听者
    dict["age"] = 18
    event.set()
    time.sleep(1)


    #终止进程和管理器
    p.terminate()
