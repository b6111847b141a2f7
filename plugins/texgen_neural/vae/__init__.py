"""vae: a tileable material space to sample, reconstruct and morph PBR stacks in.

A convolutional variational autoencoder [Kingma & Welling 2014] over stacks of PBR maps
(basecolor 3, height 1, roughness 1, normal 3: 8 channels), with a spatial latent grid at
1/4 of the resolution (by default), trained on renders of texgen presets at random parameter values
and seeds with L1, a frequency-domain loss, KL and a small patch discriminator (VAE-GAN
[Larsen et al. 2016]) against blur, and a term that keeps the decoded normal the one its
decoded height implies. Every convolution pads circularly and resampling wraps
around, so every output tiles. ``config.py`` holds the sizes, data and training settings
(plain Python), ``model.py`` the networks and the sample / reconstruct / interpolate
functions (any size), ``data.py`` the rendered stacks (cached on disk), ``train.py`` the
training loop (``texgen train vae``), ``metrics.py`` the report. The ``neural.vae`` node
lives in ``texgen_neural.nodes``; docs/neural.md documents the model.

Plain Python here and in ``config.py``; the other modules import torch.
"""
