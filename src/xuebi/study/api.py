"""(stub — being written)"""
from ninja import Router

router = Router(tags=["学习清单"])
