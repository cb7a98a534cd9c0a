"""article9: Japan's law on the use of force and on SDF operations, executable."""

__version__ = "0.1.0"
