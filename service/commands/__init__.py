"""The platform's sub-commands of ``yzt`` (``service``, ``review``, ``license``, ``platform``): each
module adds its parser; heavy imports wait inside ``run`` so ``yzt --help`` needs no extra."""
