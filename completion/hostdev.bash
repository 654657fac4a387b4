# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for hostdev(1)

_hostdev_devices() {
        hostdev list -rn -o NAME 2>/dev/null
}

_hostdev() {
        local cur prev verb i
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                --sysroot|--state-dir) ((i++)) ;;
                -*) ;;
                *) verb=${COMP_WORDS[i]}; break ;;
                esac
        done
        case $prev in
        --sysroot|--state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        -c|--cap) COMPREPLY=($(compgen -W "system pci usb_device usb net scsi_host scsi_target scsi storage scsi_generic drm mdev vdpa ccw css ap_card ap_queue ap_matrix fc_host vports mdev_types vf pf" -- "$cur")); return ;;
        -s|--source) [[ $verb == monitor ]] && { COMPREPLY=($(compgen -W "kernel udev" -- "$cur")); return; } ;;
        -o|--output) COMPREPLY=($(compgen -W "help NAME CAP CAPS DRIVER IOMMU NUMA DESCRIPTION ADDRESS VENDOR PRODUCT CLASS DEVNODE PF VFS MAXVFS PARENT SUBSYSTEM PATH" -- "$cur")); return ;;
        esac
        case $verb in
        "") COMPREPLY=($(compgen -W "list show iommu monitor --sysroot --state-dir --help --version" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--tree --cap --count --output --json --pairs --raw --noheadings --help" -- "$cur")) ;;
        show)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--xml --json --help" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$(_hostdev_devices)" -- "$cur"))
                fi ;;
        iommu) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
        monitor) COMPREPLY=($(compgen -W "--cap --source --json --help" -- "$cur")) ;;
        esac
}
complete -F _hostdev hostdev
