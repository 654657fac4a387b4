/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* World Wide Names: checked and written as libvirt writes them, and made up as libvirt makes them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "hostdev/npiv.h"
#include "util/macro.h"

int hd_wwn_normalize(const char *s, char ret[static 17]) {
        if (!s)
                return -EINVAL;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        if (strlen(s) != 16)
                return -EINVAL;
        for (int i = 0; i < 16; i++) {
                if (!isxdigit((unsigned char)s[i]))
                        return -EINVAL;
                ret[i] = (char)tolower((unsigned char)s[i]);
        }
        ret[16] = 0;
        return 0;
}

/* virRandomGenerateWWN(): "5" + the hypervisor's OUI + 36 random bits; QEMU's OUI is Qumranet's. */
int hd_wwn_generate(char ret[static 17]) {
        unsigned long long bits = 0;
        ssize_t n;

        do
                n = getrandom(&bits, sizeof(bits), 0);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof(bits))
                return -EIO;
        snprintf(ret, 17, "5001a4a%09llx", bits & 0xfffffffffULL);
        return 0;
}
