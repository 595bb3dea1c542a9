"""The axisymmetric method: a body of revolution solved along its outline in the r–z half-plane.

``generatrix`` builds the outline (from a round horn's profile, or a user's line mesh); ``kernels`` integrates
the ring Green's function and its normal derivatives around the axis over one element; ``operators`` assembles
them into the four operators and the radiated field in threads; ``bem`` solves the boundary equation per
frequency and evaluates the field, giving the same ``SweepResult`` as the 3-D method.
"""
