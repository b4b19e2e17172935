"""The deterministic demo school (示范小学) for local runs, screenshots and end-to-end tests."""
