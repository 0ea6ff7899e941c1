#!/bin/sh
# tests/faults.sh again, every conversion writing durable outputs.
DC_OUTPUT_MODE=--sync exec sh "$(dirname "$0")/faults.sh"
