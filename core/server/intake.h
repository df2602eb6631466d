/* Intake: what a connection reads becomes frames, and each frame the key
 * exchange's response (hello.c), an acknowledgement, a session-level op
 * (ping, keepalive, cancel, subscribe, unsubscribe) or an operation the
 * engine runs; its reply is queued on the connection. */
#ifndef MGR_INTAKE_H
#define MGR_INTAKE_H

#include "conn.h"

/* Read what c's descriptor has, and run every complete frame. */
void intake_read(struct conn *c);

#endif
