/* One sendmsg of bytes with up to 8 fds (SCM_RIGHTS), for the test rigs. */
#ifndef CW_TEST_SENDFDS_H
#define CW_TEST_SENDFDS_H

#include <string.h>
#include <sys/socket.h>

static inline ssize_t send_with_fds(int fd, const void *data, size_t len,
	const int *fds, int nfds, int flags)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
}

#endif
