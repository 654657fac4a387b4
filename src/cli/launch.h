/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting a launcher as a child, forwarding the signals that would stop us to it, and waiting for it. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * The signals that end `hostdev run` by default: they are blocked from
 * before the devices are prepared until the launcher has been reaped, so
 * none of them can stop the release. SIGCHLD is blocked too, to be waited
 * for with them.
 */
int launch_block_signals(sigset_t *ret_old);
/* A terminating signal that arrived while blocked (and is taken off the queue now), or 0. */
int launch_take_pending(void);

struct launch {
        pid_t pid;  /* the launcher; -1 before launch_start */
        int go_fd;  /* ours: one byte tells the child to exec, closing it without one to give up */
        int err_fd; /* ours: the child's errno when exec failed; end of file when exec succeeded */
};

/*
 * Fork a child for ARGV (execvp, no shell) that waits for launch_exec
 * before it runs anything, so the caller knows its pid first. The child
 * gets OLD_MASK back. Returns 0 or -errno (fork, pipe).
 */
int launch_start(char *const *argv, const sigset_t *old_mask, struct launch *ret);
/* Let the child exec. 0 when it did; -errno when execvp failed (the child has exited, status 127 or 126). */
int launch_exec(struct launch *l);
/* Stop the child before it execs (nothing is run) and reap it. */
void launch_abandon(struct launch *l);
/*
 * Wait for the child, sending it each terminating signal we get (a
 * terminal's SIGINT/SIGQUIT reaches it by itself, through the process
 * group). Returns its wait status.
 */
int launch_wait(struct launch *l);
/* A wait status as a shell reports it: the exit code, or 128 + the signal. */
int launch_exit_code(int status);
