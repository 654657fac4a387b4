/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's rtnetlink for SR-IOV: a VF's admin settings kept in the tree, set through the write hook. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu-vfnet.h"
#include "util/strutil.h"

static int vf_exists(struct emu *e, const char *pf, unsigned vf) {
        _cleanup_free_ char *dev = strdupf("%s/sys/class/net/%s", emu_root(e), pf), *fn = NULL;
        struct stat st;
        if (!dev || !filename_is_safe(pf))
                return -ENOMEM;
        if (stat(dev, &st) < 0)
                return -ENODEV;
        fn = strdupf("%s/device/virtfn%u", dev, vf);
        if (!fn)
                return -ENOMEM;
        return stat(fn, &st) == 0 ? 0 : -ENOENT;
}

/* A new VF as igb makes it: no MAC, no VLAN, spoof checking on, trust off, link auto. */
#define VF_NEW "00:00:00:00:00:00 0 0 spoofchk=on trust=off link=auto\n"

int emu_vfnet_read(struct emu *e, const char *pf, unsigned vf, struct hd_vf_net *ret) {
        _cleanup_free_ char *p = strdupf("%s/.emulator/vfnet/%s/%u", emu_root(e), pf, vf);
        _cleanup_fclose_ FILE *f = NULL;
        char mac[32] = "", line[160];
        const char *flags;
        struct hd_vf_net m;
        int r = vf_exists(e, pf, vf), n = 0;

        if (r < 0)
                return r;
        if (!p)
                return -ENOMEM;
        f = fopen(p, "re");
        if (!f || !fgets(line, sizeof(line), f))
                snprintf(line, sizeof(line), "%s", VF_NEW);
        *ret = (struct hd_vf_net){};
        if (sscanf(line, "%31s %u %u%n", mac, &ret->vlan, &ret->qos, &n) < 3 || hd_vf_net_from_strings(mac, NULL, &m) < 0)
                return -EIO;
        memcpy(ret->mac, m.mac, sizeof(ret->mac));
        /* lines from before the flags: those of a new VF */
        flags = strchr(line + n, '=') ? line + n : " spoofchk=on trust=off link=auto";
        line[strcspn(line, "\n")] = 0;
        return hd_vf_net_flags_from_string(flags + strspn(flags, " "), ret) < 0 ? -EIO : 0;
}

static int get(void *userdata, const char *pf, unsigned vf, struct hd_vf_net *ret) {
        struct emu_vfnet *v = userdata;
        return emu_vfnet_read(v->e, pf, vf, ret);
}

static int set(void *userdata, const char *pf, unsigned vf, const struct hd_vf_net *net, unsigned fields) {
        static const uint8_t zero[6];
        struct emu_vfnet *v = userdata;
        _cleanup_free_ char *dir = strdupf("%s/.emulator/vfnet/%s", emu_root(v->e), pf), *file = NULL, *kpath = NULL,
                            *line = NULL;
        char mac[18], vlan[24], flags[48];
        struct hd_vf_net cur;
        int fd, r = emu_vfnet_read(v->e, pf, vf, &cur);

        if (r < 0)
                return r;
        if (!dir)
                return -ENOMEM;
        /* A driver without the setting has no ndo_set_vf_*: rtnetlink answers EOPNOTSUPP. */
        if (fields & v->missing)
                return -EOPNOTSUPP;
        /* Drivers that take only valid unicast addresses (is_valid_ether_addr) refuse the all-zero MAC. */
        if ((fields & HD_VF_NET_MAC) && v->refuse_zero_mac && memcmp(net->mac, zero, sizeof(zero)) == 0)
                return -EINVAL;
        if (fields & HD_VF_NET_MAC)
                memcpy(cur.mac, net->mac, sizeof(cur.mac));
        if (fields & HD_VF_NET_VLAN) {
                cur.vlan = net->vlan;
                cur.qos = net->qos;
        }
        if (fields & HD_VF_NET_SPOOFCHK)
                cur.spoofchk = net->spoofchk;
        if (fields & HD_VF_NET_TRUST)
                cur.trust = net->trust;
        if (fields & HD_VF_NET_LINK)
                cur.link = net->link;
        file = strdupf("%s/%u", dir, vf);
        kpath = strdupf("/.emulator/vfnet/%s/%u", pf, vf);
        (void)hd_vf_net_to_strings(&cur, mac, vlan);
        (void)hd_vf_net_flags_to_string(&cur, flags);
        line = strdupf("%s %u %u %s\n", mac, cur.vlan, cur.qos, flags);
        if (!file || !kpath || !line)
                return -ENOMEM;
        {
                _cleanup_free_ char *top = strdupf("%s/.emulator", emu_root(v->e)),
                                    *mid = strdupf("%s/.emulator/vfnet", emu_root(v->e));
                if (!top || !mid)
                        return -ENOMEM;
                (void)mkdir(top, 0755);
                (void)mkdir(mid, 0755);
                (void)mkdir(dir, 0755);
        }
        /* The hook writes an existing file only: make it with the settings as they are, then the write is the message. */
        fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
                ssize_t n = write(fd, VF_NEW, sizeof(VF_NEW) - 1);
                close(fd);
                if (n != (ssize_t)sizeof(VF_NEW) - 1)
                        return -EIO;
        } else if (errno != EEXIST)
                return -errno;
        return v->hook(v->hook_data, -1, kpath, line, strlen(line));
}

void emu_vfnet_init(struct emu_vfnet *v, struct emu *e, hd_write_hook_t hook, void *hook_data) {
        *v = (struct emu_vfnet){ .ops = { .get = get, .set = set, .userdata = v }, .e = e, .hook = hook,
                                 .hook_data = hook_data };
}
