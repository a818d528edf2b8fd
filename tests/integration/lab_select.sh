# lab_select.sh (sourced by fixture.sh and lib.sh): which lab a test runs in. SB_IT_LAB=2 (set by CTest for
# the cases on Debian 13's dockerd 26.1 and the mixed swarms) selects a second lab, so both run side by side
# (ctest -j2: one RESOURCE_LOCK per lab). Its names default to the first lab's with a "2":
#   SB_LAB2_PREFIX (default ${SB_LAB_PREFIX:-sblab}2), SB_LAB2_DIR (default /tmp/${SB_LAB2_PREFIX}lab),
#   SB_LAB2_SUBNET (default: the first lab's with its last octet + 1, 10.213.0 -> 10.213.1; each lab's network
#   lives in its own namespaces, so the subnets need not differ, but distinct ones keep logs unambiguous).
# shellcheck shell=bash
if [[ ${SB_IT_LAB:-1} == 2 ]]; then
  sb_lab1_subnet=${SB_LAB_SUBNET:-10.213.0}
  SB_LAB_PREFIX=${SB_LAB2_PREFIX:-${SB_LAB_PREFIX:-sblab}2}
  SB_LAB_DIR=${SB_LAB2_DIR:-/tmp/${SB_LAB_PREFIX}lab}
  SB_LAB_SUBNET=${SB_LAB2_SUBNET:-${sb_lab1_subnet%.*}.$(( (${sb_lab1_subnet##*.} + 1) % 256 ))}
  export SB_LAB_PREFIX SB_LAB_DIR SB_LAB_SUBNET
fi
