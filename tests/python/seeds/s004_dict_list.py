# seeds/004_ed29bd506c16dcac.txt (the Python documentation's "Server
# process" example, with comments): a process fills a shared dict and
# reverses a shared list.  Changed: the manager is the one at ADDR with KEY
# (`with Manager() as manager:` would start its own), reached with
# connect(); the seed's lost indentation is restored.
# Importing necessary modules
from multiprocessing import Process, Manager
from multiprocessing.managers import SyncManager
from seedenv import ADDR, KEY
# Defining a function that will be executed by the process
def f(d, l):
    # Adding key-value pairs to the dictionary
    d[1] = '1'
    d['2'] = 2
    d[0.25] = None
    # Reversing the list
    l.reverse()
# Checking if the script is being run directly
if __name__ == '__main__':
    # Creating a Manager object to manage shared data between processes
    manager = SyncManager(address=ADDR, authkey=KEY)
    manager.connect()
    if True:
        # Creating a shared dictionary using the Manager object
        d = manager.dict()
        # Creating a shared list using the Manager object
        l = manager.list(range(10))
        # Creating a process that will execute the function f
        p = Process(target=f, args=(d, l))
        # Starting the process
        p.start()
        # Waiting for the process to finish
        p.join()
        # Printing the contents of the shared dictionary
        print(d)
        # Printing the contents of the shared list
        print(l)
