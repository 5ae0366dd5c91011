"""Chat and messaging queues: agents serving several sessions at once.

:class:`Chat` describes the concurrency and how an agent's service rate grows with its open
sessions; :func:`erlang.kpis` and :func:`erlang.required_agents` take it as ``chat=`` (the
chain of :mod:`erlang.chat.chain`). :func:`simulate_chat` simulates the same centre session by
session, under either routing.
"""

from .model import Chat
from .simulate import simulate_chat

__all__ = ["Chat", "simulate_chat"]
