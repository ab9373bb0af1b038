"""The base layer: what every area shares and nothing above it decides (see docs/architecture.md)."""
