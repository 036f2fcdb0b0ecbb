"""What every app may use: plain helpers that import no app of the project."""
