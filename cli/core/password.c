/* The no-echo prompt shared by the one-shot modes, the REPL and probe. */
#include "password.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ttyrestore.h"

int
password_prompt(const char *prompt, char *out, size_t cap, size_t *len)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	size_t got = 0;
	ssize_t n;
	char c = 0;
	bool typed = false;
	int status = PASSWORD_OK;

	*len = 0;
	if (cap == 0)
		return PASSWORD_READ_FAILED;
	out[0] = '\0';
	if (fd < 0)
		return PASSWORD_NO_TERMINAL;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return PASSWORD_NO_TERMINAL;
	}
	/* Ctrl-C (or SIGTERM, SIGHUP) at the prompt must not leave echo off. */
	ttyrestore_keep_termios(fd, &old);
	ttyrestore_arm();
	quiet = old;
	quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL | ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		ttyrestore_restore();
		close(fd);
		return PASSWORD_NO_ECHO_OFF;
	}
	while ((n = read(fd, &c, 1)) == 1 && c != '\n' && c != '\r') {
		if (got + 1 < cap)
			out[got++] = c;
		typed = true;
	}
	/* End of file leaves the cursor after the prompt: end its line. */
	if (n == 0) {
		ssize_t w = write(fd, "\n", 1);

		(void)w;
	}
	ttyrestore_restore(); /* tcsetattr(fd, TCSAFLUSH, &old) */
	close(fd);
	explicit_bzero(&c, sizeof(c));
	if (n < 0)
		status = PASSWORD_READ_FAILED;
	else if (n == 0 && !typed)
		status = PASSWORD_CANCELLED;
	else if (got == 0)
		status = PASSWORD_EMPTY;
	if (status != PASSWORD_OK) {
		explicit_bzero(out, cap);
		got = 0;
	}
	out[got] = '\0';
	*len = got;
	return status;
}

const char *
password_strerror(int status)
{
	switch (status) {
	case PASSWORD_OK:
		return NULL;
	case PASSWORD_NO_TERMINAL:
		return "no terminal to ask on";
	case PASSWORD_NO_ECHO_OFF:
		return "the terminal would not turn echo off";
	case PASSWORD_CANCELLED:
		return "cancelled at the prompt (end of file)";
	case PASSWORD_EMPTY:
		return "an empty password is refused (RFC 1929 needs 1 to 255 bytes)";
	default:
		return "the terminal could not be read";
	}
}

int
password_from_env(struct credentials *c)
{
	const char *env = getenv("SOCKSCOPE_PASSWORD");
	size_t len;

	if (env == NULL || !c->has_user || c->has_pass)
		return 0;
	len = strlen(env);
	if (len > CRED_MAX)
		return -1;
	memcpy(c->pass, env, len + 1);
	c->passlen = len;
	c->has_pass = true;
	return 1;
}
