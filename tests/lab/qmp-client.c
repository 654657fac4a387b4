/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A QMP client for the lab guest (busybox nc has no unix sockets): connects
 * to QEMU's monitor socket, negotiates, sends each command and prints each
 * reply on one line. Built static by tests/lab/nested-qemu.sh.
 *
 * usage: qmp SOCKET [--wait SECONDS] COMMAND...
 *   COMMAND: a JSON object sent as it is, "hmp:TEXT" for a human monitor
 *   command (its text is printed as it comes), or a bare name ("query-pci").
 * Exits 1 when the socket never answers or a command returns an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have;

/* One line from FD into LINE (NUL-terminated, no '\n'); 0 at end of file. */
static int read_line(int fd, char **line) {
        for (;;) {
                char *nl = memchr(buf, '\n', have);
                if (nl) {
                        size_t n = (size_t)(nl - buf) + 1;
                        *line = strndup(buf, n - 1);
                        memmove(buf, buf + n, have - n);
                        have -= n;
                        return 1;
                }
                if (have == sizeof(buf))
                        return -1;
                ssize_t r = read(fd, buf + have, sizeof(buf) - have);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return 0;
                have += (size_t)r;
        }
}

/* The reply to the last command: the first line that is not an event. */
static char *reply(int fd) {
        char *l;
        while (read_line(fd, &l) > 0) {
                if (strncmp(l, "{\"timestamp\"", 12) != 0 && !strstr(l, "\"event\""))
                        return l;
                free(l);
        }
        return NULL;
}

static int connect_to(const char *path, int wait_s) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct timespec tenth = { 0, 100 * 1000 * 1000 };

        if (strlen(path) >= sizeof(a.sun_path))
                return -1;
        strcpy(a.sun_path, path);
        for (int i = 0; i <= wait_s * 10; i++) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -1;
                if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
                        return fd;
                close(fd);
                nanosleep(&tenth, NULL);
        }
        return -1;
}

/* Send CMD and print its reply; 0 when it returned, 1 on an error reply or a closed socket. */
static int command(int fd, const char *cmd) {
        char out[8192];
        char *l;
        int ok;

        if (cmd[0] == '{')
                snprintf(out, sizeof(out), "%s\n", cmd);
        else if (strncmp(cmd, "hmp:", 4) == 0)
                snprintf(out, sizeof(out),
                         "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"%s\"}}\n", cmd + 4);
        else
                snprintf(out, sizeof(out), "{\"execute\":\"%s\"}\n", cmd);
        if (write(fd, out, strlen(out)) != (ssize_t)strlen(out))
                return 1;
        l = reply(fd);
        if (!l) {
                fprintf(stderr, "qmp: no reply to %s\n", cmd);
                return 1;
        }
        ok = strncmp(l, "{\"return\"", 9) == 0;
        if (strncmp(cmd, "hmp:", 4) == 0 && ok) {
                /* {"return": "text with \r\n escapes"}: print the text as lines. */
                const char *p = strchr(l, ':') + 1;
                while (*p == ' ' || *p == '"')
                        p++;
                for (; *p && !(p[0] == '"' && p[1] == '}'); p++) {
                        if (p[0] == '\\' && p[1] == 'r')
                                p++;
                        else if (p[0] == '\\' && p[1] == 'n') {
                                putchar('\n');
                                p++;
                        } else if (p[0] == '\\' && p[1])
                                putchar(*++p);
                        else
                                putchar(*p);
                }
        } else
                printf("%s\n", l);
        free(l);
        return ok ? 0 : 1;
}

int main(int argc, char **argv) {
        int wait_s = 0, first = 2, fd, rc = 0;
        char *l;

        if (argc < 2) {
                fprintf(stderr, "usage: qmp SOCKET [--wait SECONDS] COMMAND...\n");
                return 2;
        }
        if (argc > 3 && strcmp(argv[2], "--wait") == 0) {
                wait_s = atoi(argv[3]);
                first = 4;
        }
        fd = connect_to(argv[1], wait_s);
        if (fd < 0) {
                fprintf(stderr, "qmp: cannot connect to %s\n", argv[1]);
                return 1;
        }
        /* The greeting, then capabilities negotiation. */
        if (read_line(fd, &l) <= 0) {
                fprintf(stderr, "qmp: no greeting on %s\n", argv[1]);
                return 1;
        }
        free(l);
        if (write(fd, "{\"execute\":\"qmp_capabilities\"}\n", 31) != 31 || !(l = reply(fd)))
                return 1;
        free(l);
        for (int i = first; i < argc; i++)
                rc |= command(fd, argv[i]);
        close(fd);
        return rc;
}
