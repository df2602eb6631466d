# seeds/000_fe1c47efbe891b79.txt, manager.py.  Changed: `with
# multiprocessing.Manager() as manager:` starts a manager of its own; here
# the manager is the one at ADDR with KEY, reached with connect() (a
# connected manager has no shutdown() for `with` to call, SPEC §3.7.3).
import logging
import multiprocessing
from multiprocessing.managers import SyncManager
from seedenv import ADDR, KEY

logging.basicConfig(
    level=logging.DEBUG, format='%(processName)s: %(message)s')


def worker1(l, d, n):
    # リストをリバースしてみる
    l.reverse()

    # 辞書に　+1 する
    d['x'] += 1

    # Namespaceに +1 する
    n.y += 1


if __name__ == '__main__':
    manager = SyncManager(address=ADDR, authkey=KEY)
    manager.connect()
    if True:
        # リスト型のマネージャーを作る
        l = manager.list()

        # 辞書型のマネージャーを作る
        d = manager.dict()

        # Namespace：「なんでも」のマネージャーを作る
        n = manager.Namespace()

        # マネージャーの中に値を入れていく
        # listなんでappendで追加
        l.append(1)
        l.append(2)
        l.append(3)

        # 辞書なので普通に追加
        d['x'] = 0

        # namespaseはドットで好きに書く
        n.y = 0

        # プロセスにマネージャを渡すだけ
        p1 = multiprocessing.Process(target=worker1, args=(l, d, n))
        p1.start()
        p1.join()

        logging.debug(l)
        logging.debug(d)
        logging.debug(n)
