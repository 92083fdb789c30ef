"""What a sign-in's password check costs with each hasher (issue 25): the portal's
Argon2id (accounts/hashers.py), Django's own Argon2 parameters, and PBKDF2 at Django's
default iterations (what every hash made before issue 25 is). Wall and CPU time of
`check_password` on a hash made beforehand, as a sign-in does; medians."""

from __future__ import annotations

import statistics
import time

HASHERS = (
    (
        "accounts.hashers.PortalArgon2PasswordHasher",
        "Argon2id, 19 MiB, 2 passes, 1 lane (the portal's)",
    ),
    (
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "Argon2id at Django's parameters (100 MiB, 2 passes, 8 lanes)",
    ),
    (
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "PBKDF2-SHA256 at Django's 1,000,000 iterations (hashes made before)",
    ),
)


def measure(repeat: int = 7) -> list[dict]:
    from django.utils.module_loading import import_string

    rows = []
    for path, label in HASHERS:
        hasher = import_string(path)()
        encoded = hasher.encode("a sign-in password", hasher.salt())
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            assert hasher.verify("a sign-in password", encoded)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        rows.append(
            {
                "hasher": path,
                "label": label,
                "wall": statistics.median(walls),
                "cpu": statistics.median(cpus),
            }
        )
    return rows
