/* mgrd --relay [ADDR], which ssh: addresses run on their host: it joins
 * its stdin and stdout to a manager there (the default one, started when
 * none answers, when ADDR is not given) and moves the bytes with
 * splice(2), so that they are never copied into this process;
 * authentication, if the manager asks for it, is between the client and
 * the manager.  See mgrd(8). */
#ifndef MGRD_RELAY_H
#define MGRD_RELAY_H

/* The relay's whole life; its exit status. */
int mgrd_relay(const char *addr);

#endif
