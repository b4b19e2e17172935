"""Kehou (课后): after-school care for Chinese primary schools."""
