"""WeChat: the httpx client Kehou uses, and a fake server that behaves like the real one."""
