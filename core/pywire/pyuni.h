/* Which code points Python's repr() shows as they are (pyuni.c is
 * generated from CPython's Unicode database by pyuni.py). */
#ifndef MGR_PYUNI_H
#define MGR_PYUNI_H

#include <stdbool.h>
#include <stdint.h>

/* Whether str.isprintable() holds for the code point cp. */
bool mgr_pyuni_printable(uint32_t cp);

#endif
