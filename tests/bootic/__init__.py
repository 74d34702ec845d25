"""Tests of halnav.bootic."""
