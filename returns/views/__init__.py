"""Thin views of the returns pages: a permission check, a selector, one service call,
a redirect. Supplier and member pages live in packages of their own."""
