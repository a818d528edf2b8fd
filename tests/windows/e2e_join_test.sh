#!/usr/bin/env bash
echo "e2e_join_test.sh: not written yet"
exit 77
