"""Chat and messaging queues: agents serving several sessions at once.

:class:`Chat` describes the concurrency and how an agent's service rate grows with its open
sessions; :func:`erlang.kpis` and :func:`erlang.required_agents` take it as ``chat=`` (the
chain of :mod:`erlang.chat.chain`).
"""

from .model import Chat

__all__ = ["Chat"]
