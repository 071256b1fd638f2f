#!/bin/sh
# KRM exec function entry point: a ResourceList on stdin, a ResourceList on stdout.
exec sealbridge render
