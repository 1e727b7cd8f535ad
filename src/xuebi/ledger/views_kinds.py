"""(stub — being written)"""
urlpatterns = []
