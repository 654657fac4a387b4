# SPDX-License-Identifier: LGPL-2.1-or-later
# jq helpers for reading hostdev's JSON in the lab scenarios.

# the first capability object of a type in `hostdev show --json`
def cap($t): [(.capabilities // [])[] | select(.type == $t)] | .[0];
# the first value of a key anywhere below (capabilities may nest, as in libvirt's XML)
def deep($k): [.. | objects | select(has($k)) | .[$k]] | .[0];
# an id that may be given bare or as {"id": ..}/{"number": ..}/{"address": ..}
def bare: if type == "object" then (.id // .number // .address // .name) else . end;
# a value as the shell compares it: null as "null", numbers and strings as text
def s: if . == null then "null" else tostring end;
def lc: if type == "string" then ascii_downcase else . end;
# devices of `hostdev list -J`, by field
def devs: .devices // [];
def dev_by($k; $v): [devs[] | select(.[$k] == $v)];
