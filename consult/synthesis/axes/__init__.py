"""The synthesis per axis and objective: survey questions linked to axes, free texts tagged by hand, and the
evidence gathered from every channel for one axis or objective."""
