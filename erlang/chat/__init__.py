"""Chat and messaging queues: agents serving several sessions at once.

:class:`Chat` describes the concurrency and how an agent's service rate grows with its open
sessions; :func:`erlang.kpis` and :func:`erlang.required_agents` take it as ``chat=`` (the
chain of :mod:`erlang.chat.chain`). A keyword of those two rather than functions of its own:
the metrics are the same, defined the same way and held to the same :class:`erlang.Targets`
(``occupancy`` is the share of session slots in use, which is Erlang's with one session an
agent), and one column is added, ``busy_agents``. :func:`simulate_chat` simulates the same
centre session by session, under either routing.
"""

from .model import Chat

__all__ = ["Chat", "simulate_chat"]


def __getattr__(name):
    # the compiled simulation loads on first use, so that ``import erlang`` stays light
    if name == "simulate_chat":
        from .simulate import simulate_chat

        return simulate_chat
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
