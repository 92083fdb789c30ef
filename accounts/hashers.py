"""The portal's password hasher: Argon2id at OWASP's minimum parameters.

Django's own Argon2 parameters (100 MiB, 2 passes, 8 lanes) cost about 200 ms of CPU
per sign-in on the bench machine, close to PBKDF2's 260 ms at Django 5.2's 1,000,000
iterations, and every sign-in under load queues the pages behind it. OWASP's Password
Storage Cheat Sheet gives Argon2id with 19 MiB of memory, 2 passes and 1 lane as a
minimum that stays memory-hard (an attacker pays for the memory of every guess, which
PBKDF2 never asks): about 25 ms here. Hashes made with other parameters (Django's, or
older ones of ours) are upgraded at the next sign-in, as Django does for any hash
whose parameters differ from the preferred hasher's (`must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    # The algorithm name stays "argon2": hashes read and verify with Django's own
    # hasher too, and the parameters are stored in each hash.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
