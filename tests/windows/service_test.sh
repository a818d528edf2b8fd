#!/usr/bin/env bash
echo "service_test.sh: not written yet"
exit 77
