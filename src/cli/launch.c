/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launcher of `hostdev run` as a child process: started only when told, signals forwarded, reaped. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"
#include "util/macro.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void forwarded_set(sigset_t *s, bool with_chld) {
        sigemptyset(s);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(s, forwarded[i]);
        if (with_chld)
                sigaddset(s, SIGCHLD);
}

int launch_block_signals(sigset_t *ret_old) {
        sigset_t s;

        /* Inherited SIG_IGN for SIGCHLD would reap the child behind our back. */
        signal(SIGCHLD, SIG_DFL);
        forwarded_set(&s, true);
        return sigprocmask(SIG_BLOCK, &s, ret_old) < 0 ? -errno : 0;
}

int launch_take_pending(void) {
        struct timespec none = { 0, 0 };
        sigset_t s;
        int sig;

        forwarded_set(&s, false);
        sig = sigtimedwait(&s, NULL, &none);
        return sig > 0 ? sig : 0;
}

/* In the child: wait for the word, then become the launcher. Only async-signal-safe calls. */
_Noreturn static void child(char *const *argv, const sigset_t *old_mask, int go_fd, int err_fd) {
        char go;
        int e;

        if (read(go_fd, &go, 1) != 1)
                _exit(125); /* the parent gave up: run nothing */
        close(go_fd);
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        execvp(argv[0], argv);
        e = errno;
        (void)!write(err_fd, &e, sizeof(e));
        _exit(e == ENOENT ? 127 : 126);
}

int launch_start(char *const *argv, const sigset_t *old_mask, struct launch *ret) {
        int go[2], err[2];
        pid_t pid;

        *ret = (struct launch){ .pid = -1, .go_fd = -1, .err_fd = -1 };
        if (pipe2(go, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                int r = -errno;
                close(go[0]);
                close(go[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(go[0]);
                close(go[1]);
                close(err[0]);
                close(err[1]);
                return r;
        }
        if (pid == 0) {
                close(go[1]);
                close(err[0]);
                child(argv, old_mask, go[0], err[1]);
        }
        close(go[0]);
        close(err[1]);
        *ret = (struct launch){ .pid = pid, .go_fd = go[1], .err_fd = err[0] };
        return 0;
}

static int reap(pid_t pid) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return status;
}

int launch_exec(struct launch *l) {
        int e = 0;
        ssize_t n;

        if (write(l->go_fd, "x", 1) != 1) {
                int r = -errno;
                launch_abandon(l);
                return r;
        }
        close(TAKE_FD(l->go_fd));
        /* The write end closes on a successful exec (O_CLOEXEC): nothing to read. */
        do
                n = read(l->err_fd, &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        close(TAKE_FD(l->err_fd));
        if (n != (ssize_t)sizeof(e))
                return 0;
        reap(l->pid);
        l->pid = -1;
        return -(e ? e : EIO);
}

void launch_abandon(struct launch *l) {
        if (l->go_fd >= 0)
                close(TAKE_FD(l->go_fd));
        if (l->err_fd >= 0)
                close(TAKE_FD(l->err_fd));
        if (l->pid > 0)
                reap(l->pid);
        l->pid = -1;
}

int launch_wait(struct launch *l) {
        sigset_t s;
        int status = 0;

        forwarded_set(&s, true);
        for (;;) {
                siginfo_t si;
                pid_t p = waitpid(l->pid, &status, WNOHANG);

                if (p == l->pid)
                        break;
                if (p < 0 && errno != EINTR)
                        return 125 << 8; /* someone else reaped it: no status to pass on */
                if (sigwaitinfo(&s, &si) < 0 || si.si_signo == SIGCHLD)
                        continue;
                /*
                 * A terminal sends SIGINT/SIGQUIT to its whole foreground process
                 * group (si_code SI_KERNEL): the launcher has it already. What was
                 * sent to us alone (kill, systemd) is passed on.
                 */
                if (si.si_code != SI_KERNEL)
                        kill(l->pid, si.si_signo);
        }
        l->pid = -1;
        return status;
}

int launch_exit_code(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 125;
}
