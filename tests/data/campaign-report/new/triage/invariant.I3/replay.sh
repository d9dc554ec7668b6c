#!/bin/sh
cd "/src" && exec build/gomap replay corpus/regressions/candidates/ops-invariant.I3.trace
