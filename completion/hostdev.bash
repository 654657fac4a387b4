# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for hostdev(1)

# Candidates that come from the host, a tree or the state store (device names, owners, UUIDs)
# are text anyone who names a domain or makes a tree chooses: they go to COMPREPLY as they are,
# never through `compgen -W`, which would run $(...) and `...` in them and expand $VAR.

# hostdev with the --sysroot and --state-dir given on the line being completed.
_hostdev_run() {
        hostdev "${_hostdev_global[@]}" "$@" 2>/dev/null
}

# Offer each line of standard input that starts with $cur, verbatim; readline quotes
# what it inserts (as for file names), so the line stays safe to run.
_hostdev_offer() {
        local line
        while IFS= read -r line; do
                [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
        done
        compopt -o filenames 2>/dev/null
        return 0
}

_hostdev_devices() {
        _hostdev_run list -rn -o NAME "$@"
}

# The owners the state store knows, DRIVER:DOMAIN (raw output writes a blank as \x20: undone by %b).
_hostdev_owners() {
        local o
        _hostdev_run active -rn | awk '$4 != "" && $3 == "held" { n = split($4, o, ","); for (i = 1; i <= n; i++) print o[i] }' |
                sort -u | while IFS= read -r o; do printf '%b\n' "$o"; done
}

_hostdev() {
        local cur prev verb i sysroot=
        local -a _hostdev_global=()
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                --sysroot|--state-dir)
                        _hostdev_global+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}")
                        [[ ${COMP_WORDS[i]} == --sysroot ]] && sysroot=${COMP_WORDS[i+1]}
                        ((i++)) ;;
                --sysroot=*|--state-dir=*)
                        _hostdev_global+=("${COMP_WORDS[i]}")
                        [[ ${COMP_WORDS[i]} == --sysroot=* ]] && sysroot=${COMP_WORDS[i]#--sysroot=} ;;
                -*) ;;
                *) verb=${COMP_WORDS[i]}; break ;;
                esac
        done
        case $prev in
        --sysroot|--state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        -c|--cap) COMPREPLY=($(compgen -W "system pci usb_device usb net scsi_host scsi_target scsi storage scsi_generic drm mdev vdpa ccw css ap_card ap_queue ap_matrix fc_host vports mdev_types vf pf" -- "$cur")); return ;;
        -s|--source) [[ $verb == monitor ]] && { COMPREPLY=($(compgen -W "kernel udev" -- "$cur")); return; } ;;
        -o|--output) COMPREPLY=($(compgen -W "help NAME CAP CAPS DRIVER IOMMU NUMA DESCRIPTION ADDRESS VENDOR PRODUCT CLASS DEVNODE CDEV PF VFS MAXVFS PARENT SUBSYSTEM PATH" -- "$cur")); return ;;
        esac
        case $verb in
        "") COMPREPLY=($(compgen -W "list show iommu detach reattach reset check recover prepare release claim unclaim active qemu-args run monitor mdev sriov vhba create apply --sysroot --state-dir --help --version" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--tree --cap --count --inactive --all --output --json --pairs --raw --noheadings --help" -- "$cur")) ;;
        show)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--xml --json --help" -- "$cur"))
                else
                        _hostdev_offer < <(_hostdev_devices)
                fi ;;
        iommu) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
        mdev)
                local sub=${COMP_WORDS[i+1]}
                if ((COMP_CWORD == i + 1)); then
                        COMPREPLY=($(compgen -W "types list create remove define undefine start stop autostart modify start-autostart" -- "$cur"))
                elif [[ $prev == --parent || ($sub == types && $cur != -*) ]]; then
                        _hostdev_offer < <(ls "$sysroot/sys/class/mdev_bus" 2>/dev/null)
                elif [[ $cur == -* ]]; then
                        case $sub in
                        types) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
                        list) COMPREPLY=($(compgen -W "--defined --json" -- "$cur")) ;;
                        create) COMPREPLY=($(compgen -W "--parent --type --uuid --attr" -- "$cur")) ;;
                        define) COMPREPLY=($(compgen -W "--parent --type --uuid --attr --auto" -- "$cur")) ;;
                        modify) COMPREPLY=($(compgen -W "--parent --type --auto --manual --addattr --value --delattr --index" -- "$cur")) ;;
                        undefine|start|autostart|start-autostart) COMPREPLY=($(compgen -W "--parent" -- "$cur")) ;;
                        esac
                elif [[ $sub == define ]]; then
                        COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur"))
                elif [[ $sub == autostart && $prev != autostart ]]; then
                        COMPREPLY=($(compgen -W "on off" -- "$cur"))
                else
                        _hostdev_offer < <(_hostdev_run mdev list --defined -rn | cut -d' ' -f1)
                fi ;;
        sriov)
                if ((COMP_CWORD == i + 1)); then
                        COMPREPLY=($(compgen -W "show set" -- "$cur"))
                elif [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--json --no-autoprobe --autoprobe --force --timeout --persistent" -- "$cur"))
                elif ((COMP_CWORD == i + 2)); then
                        _hostdev_offer < <(_hostdev_devices --cap pf)
                fi ;;
        vhba)
                if ((COMP_CWORD == i + 1)); then
                        COMPREPLY=($(compgen -W "create destroy" -- "$cur"))
                elif [[ $prev == --parent || ${COMP_WORDS[i+1]} == destroy ]]; then
                        _hostdev_offer < <(_hostdev_devices --cap fc_host)
                elif [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--parent --parent-wwnn --parent-wwpn --fabric-wwn --wwnn --wwpn --timeout" -- "$cur"))
                fi ;;
        create) COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur")) ;;
        apply)
                if [[ $prev == -d || $prev == --device ]]; then
                        # apply takes the kernel's name (the udev rule's %k), not a pci_* name.
                        _hostdev_offer < <(_hostdev_run list -rn -o ADDRESS --cap pci)
                else
                        COMPREPLY=($(compgen -W "--device --help" -- "$cur"))
                fi ;;
        detach|reattach|reset|check)
                case $prev in
                -d|--driver) COMPREPLY=($(compgen -W "vfio-pci pci-stub" -- "$cur")); return ;;
                -o|--owner) _hostdev_offer < <(_hostdev_owners); return ;;
                -m|--method) COMPREPLY=($(compgen -W "flr pm bus acpi af_flr device_specific cxl_bus" -- "$cur")); return ;;
                esac
                if [[ $cur == -* ]]; then
                        case $verb in
                        detach) COMPREPLY=($(compgen -W "--driver --group --force --persistent --help" -- "$cur")) ;;
                        reattach) COMPREPLY=($(compgen -W "--group --persistent --help" -- "$cur")) ;;
                        reset) COMPREPLY=($(compgen -W "--method --owner --force --help" -- "$cur")) ;;
                        check) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
                        esac
                else
                        _hostdev_offer < <(_hostdev_devices --cap pci)
                fi ;;
        recover) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
        active) COMPREPLY=($(compgen -W "--json --raw --noheadings --help" -- "$cur")) ;;
        run)
                # After '--': the launcher, then its arguments.
                for ((i = 2; i < COMP_CWORD; i++)); do
                        if [[ ${COMP_WORDS[i]} == -- ]]; then
                                if ((i == COMP_CWORD - 1)); then
                                        COMPREPLY=($(compgen -c -- "$cur"))
                                else
                                        COMPREPLY=($(compgen -f -- "$cur"))
                                fi
                                return
                        fi
                done ;&
        prepare|release|qemu-args|claim|unclaim)
                case $prev in
                -o|--owner) _hostdev_offer < <(_hostdev_owners); return ;;
                -k|--kind) COMPREPLY=($(compgen -W "pci usb scsi mdev net_vf" -- "$cur")); return ;;
                -u|--uuid) return ;;
                --pid) COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur")); return ;;
                esac
                if [[ $cur == -* ]]; then
                        case $verb in
                        prepare) COMPREPLY=($(compgen -W "--owner --uuid --force --resume --kind --pid --help" -- "$cur")) ;;
                        release) COMPREPLY=($(compgen -W "--owner --uuid --kind --help" -- "$cur")) ;;
                        claim) COMPREPLY=($(compgen -W "--owner --uuid --again --help" -- "$cur")) ;;
                        unclaim) COMPREPLY=($(compgen -W "--owner --help" -- "$cur")) ;;
                        qemu-args) COMPREPLY=($(compgen -W "--owner --no-controllers --iommufd --null --help" -- "$cur")) ;;
                        run) COMPREPLY=($(compgen -W "--owner --uuid --force --resume --kind --no-controllers --iommufd --verbose --help" -- "$cur")) ;;
                        esac
                else
                        COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur"))
                fi ;;
        monitor) COMPREPLY=($(compgen -W "--cap --source --json --help" -- "$cur")) ;;
        esac
}
complete -F _hostdev hostdev
