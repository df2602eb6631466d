/* libFuzzer target: addresses and ssh options, as they come from command
 * lines and the environment (C strings).  Built and run by tests/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct mgr_addr a;
	const char *why = NULL;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (mgr_addr_parse(s, &a, &why) == 0)
		mgr_addr_release(&a);
	else if (!why)
		abort();
	why = NULL;
	if (mgr_ssh_option_check(s, &why) < 0 && !why)
		abort();
	free(s);
	return 0;
}
