/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The block module on tests/data/trees/block and trees/scsi: which disks libvirt lists, names, sizes, media. */
#include "tree-test.h"

static void test_block_tree(void **state) {
        struct tree *t = tree_open("block");
        struct hd_cap *c;
        struct hd_device *d;

        /* Without udev data, as on this project's own CI host: vendor from sysfs, no serial, no bus. */
        assert_parent(t, "block_vda", "pci_0000_00_05_0");
        c = tree_cap(t, "block_vda", HD_CAP_STORAGE);
        assert_string_equal(c->storage.block, "/dev/vda");
        assert_string_equal(c->storage.drive_type, "disk");
        assert_string_equal(c->storage.vendor, "0x1af4");
        assert_null(c->storage.model);
        assert_null(c->storage.serial);
        assert_null(c->storage.bus);
        assert_int_equal(c->storage.num_blocks, 536870912);
        assert_int_equal(c->storage.logical_block_size, 512);
        assert_int_equal(c->storage.size, 536870912ULL * 512);
        assert_false(c->storage.removable);
        d = tree_get(t, "block_vda");
        assert_int_equal(d->n_devnodes, 1);
        assert_string_equal(d->devnodes[0].path, "/dev/vda");

        /* ATA disk with udev data: bus, serial (in the name) from udev; padded model trimmed. */
        assert_parent(t, "block_sda_WDC_WD10EZEX_08WN4A0_WD_WCC6Y0000000", "scsi_0_0_0_0");
        assert_parent(t, "scsi_host0", "pci_0000_00_1f_2");
        c = tree_cap(t, "block_sda_WDC_WD10EZEX_08WN4A0_WD_WCC6Y0000000", HD_CAP_STORAGE);
        assert_string_equal(c->storage.bus, "ata");
        assert_string_equal(c->storage.serial, "WDC_WD10EZEX-08WN4A0_WD-WCC6Y0000000");
        assert_string_equal(c->storage.vendor, "ATA");
        assert_string_equal(c->storage.model, "WDC WD10EZEX-08W");
        d = tree_get(t, "block_sda_WDC_WD10EZEX_08WN4A0_WD_WCC6Y0000000");
        assert_int_equal(d->n_devnodes, 2);
        assert_string_equal(d->devnodes[1].path, "/dev/disk/by-id/ata-WDC_WD10EZEX-08WN4A0_WD-WCC6Y0000000");

        /*
         * NVMe with native multipath: the namespace hangs off the virtual
         * subsystem (parent "computer"); libvirt multiplies sectors by the
         * 4096-byte block size, and so do we.
         */
        assert_parent(t, "block_nvme0n1_QEMU_NVMe_Ctrl_deadbeef", "computer");
        c = tree_cap(t, "block_nvme0n1_QEMU_NVMe_Ctrl_deadbeef", HD_CAP_STORAGE);
        assert_string_equal(c->storage.drive_type, "disk");
        assert_string_equal(c->storage.model, "QEMU NVMe Ctrl");
        assert_int_equal(c->storage.logical_block_size, 4096);
        assert_int_equal(c->storage.size, 2097152ULL * 4096);

        /* SD card (udisks' ID_DRIVE_FLASH_SD) and a floppy with a labelled medium. */
        assert_parent(t, "block_mmcblk0_0x12345678", "pci_0000_00_1e_6");
        assert_string_equal(tree_cap(t, "block_mmcblk0_0x12345678", HD_CAP_STORAGE)->storage.drive_type, "sd");
        c = tree_cap(t, "block_fd0", HD_CAP_STORAGE);
        assert_string_equal(c->storage.drive_type, "floppy");
        assert_true(c->storage.removable);
        assert_true(c->storage.media_available);
        assert_string_equal(c->storage.media_label, "BOOTDISK");
        assert_int_equal(c->storage.media_size, 2880 * 512);
        assert_int_equal(c->storage.size, 0);

        /* Partitions, loop and zram devices, hidden NVMe paths and vanished disks are not listed. */
        assert_absent(t, "block_vda1");
        assert_absent(t, "block_sda1");
        assert_absent(t, "block_loop0");
        assert_absent(t, "block_zram0");
        assert_absent(t, "block_nvme0c0n1");
        assert_absent(t, "block_sdz");
        assert_all_lookups(t);
        assert_no_lookup(t, "block_vda1");
        assert_no_lookup(t, "block_loop0");
        assert_no_lookup(t, "block_vda_20166490128781166");
        assert_no_lookup(t, "block_sda");
        assert_no_lookup(t, "block_../../..");
        tree_close(t);
}

static void test_scsi_disks(void **state) {
        struct tree *t = tree_open("scsi");
        struct hd_cap *c;

        assert_parent(t, "block_sda_333333330000007d0", "scsi_0_0_0_0");
        c = tree_cap(t, "block_sda_333333330000007d0", HD_CAP_STORAGE);
        assert_string_equal(c->storage.bus, "scsi");
        assert_string_equal(c->storage.vendor, "Linux");
        assert_string_equal(c->storage.model, "scsi_debug");
        assert_int_equal(c->storage.size, 16384 * 512);

        /* No udev entry: the type udev's scsi_id would give, from the SCSI type; no serial. */
        assert_parent(t, "block_sdb", "scsi_0_0_0_1");
        c = tree_cap(t, "block_sdb", HD_CAP_STORAGE);
        assert_string_equal(c->storage.drive_type, "disk");
        assert_null(c->storage.bus);
        assert_null(c->storage.serial);

        /* A removable disk is a disk: libvirt reads "removable" only for CDs and floppies. */
        assert_parent(t, "block_sdc_333333330000007d2", "scsi_0_0_1_0");
        c = tree_cap(t, "block_sdc_333333330000007d2", HD_CAP_STORAGE);
        assert_false(c->storage.removable);
        assert_absent(t, "block_sdc1");

        /* A CD: drive_type "cdrom", media facts instead of a size. */
        assert_parent(t, "block_sr0", "scsi_0_0_1_1");
        c = tree_cap(t, "block_sr0", HD_CAP_STORAGE);
        assert_string_equal(c->storage.drive_type, "cdrom");
        assert_true(c->storage.removable);
        assert_true(c->storage.media_available);
        assert_string_equal(c->storage.media_label, "Debian 12.5.0 amd64 1");
        assert_int_equal(c->storage.num_blocks, 2035712);
        assert_int_equal(c->storage.logical_block_size, 2048);
        assert_int_equal(c->storage.media_size, 2035712ULL * 2048);
        assert_int_equal(c->storage.size, 0);
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_block_tree),
                cmocka_unit_test(test_scsi_disks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
