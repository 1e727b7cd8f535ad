"""(stub — being written)"""
from ninja import Router

router = Router(tags=["学习台账"])
