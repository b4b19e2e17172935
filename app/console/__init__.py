"""The browser console for school admins, served at /admin (docs/console.md)."""
