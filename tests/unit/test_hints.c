/* The hint recognisers: each with a case it names and one it must not. */
#include <string.h>

#include "flowtest.h"
#include "suites.h"
#include "testutil.h"

Suite *
hints_suite(void)
{
	Suite *s = suite_create("hints");
	return s;
}
