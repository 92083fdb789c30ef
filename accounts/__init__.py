"""People: the user model (email sign-in), supplier contacts, member viewers,
invitations."""
