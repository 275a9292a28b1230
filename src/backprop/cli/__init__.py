"""The ``backprop`` console command."""
